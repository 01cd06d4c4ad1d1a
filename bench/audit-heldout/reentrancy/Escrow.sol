pragma solidity ^0.6.12;

interface IReceiver {
    function onRelease(uint256 amount) external;
}

contract Escrow {
    mapping(address => uint256) public deposits;

    function deposit() external payable {
        deposits[msg.sender] += msg.value;
    }

    function release(address payable to) external {
        uint256 amount = deposits[msg.sender];
        (bool ok, ) = to.call{value: amount}(""); // VULN
        require(ok);
        deposits[msg.sender] = 0;
    }

    function notifyAndClear(IReceiver receiver) external {
        receiver.onRelease(deposits[msg.sender]); // VULN
        deposits[msg.sender] = 0;
    }
}
