pragma solidity ^0.4.24;

contract Piggy {
    mapping(address => uint256) public saved;

    function put() public payable {
        saved[msg.sender] += msg.value;
    }

    function takeOut() public {
        uint256 amount = saved[msg.sender];
        require(amount > 0);
        require(msg.sender.call.value(amount)());
        saved[msg.sender] = 0;
    }
}
