pragma solidity ^0.4.24;

contract SimpleToken {
    mapping(address => uint256) public balanceOf;

    constructor() public {
        balanceOf[msg.sender] = 1000000;
    }

    function transfer(address to, uint256 amount) public returns (bool) {
        require(balanceOf[msg.sender] >= amount);
        balanceOf[msg.sender] -= amount;
        require(balanceOf[to] + amount >= balanceOf[to]);
        balanceOf[to] += amount;
        return true;
    }
}
